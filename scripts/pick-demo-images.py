# Picks the ten bundled demo images from a `loupe synth` dataset: per scene the first balanced-split
# image whose figure has the scene's stereotyped gender, and the first counter-split image for four
# counter-stereotypical pairs. Writes them with an image_caption.csv into OUT.
import csv, os, shutil, sys
src, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(os.path.join(src, 'image_caption.csv'), encoding='utf-8')))
stereo = {'kitchen': 'woman', 'park': 'woman', 'classroom': 'woman', 'garage': 'man', 'office': 'man', 'workshop': 'man'}
wanted = [(s, 'balanced', g, s) for s, g in stereo.items()]
wanted += [('kitchen', 'counter', 'man', 'kitchen-man'), ('garage', 'counter', 'woman', 'garage-woman'),
           ('workshop', 'counter', 'woman', 'workshop-woman'), ('classroom', 'counter', 'man', 'classroom-man')]
os.makedirs(out, exist_ok=True)
picked = []
for scene, split, gender, name in wanted:
    row = next(r for r in rows if r['scene'] == scene and r['split'] == split and r['gender'] == gender)
    shutil.copy(os.path.join(src, row['image']), os.path.join(out, name + '.png'))
    picked.append(dict(row, image=name + '.png'))
with open(os.path.join(out, 'image_caption.csv'), 'w', encoding='utf-8', newline='') as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator='\n')
    w.writeheader()
    w.writerows(picked)
for p in picked: print(p['image'], p['activity'], p['en_caption'])
