#!/usr/bin/env python3
"""scikit-learn's side of bench/tsne_bench.cpp: the reference t-SNE on the same points.

    python3 scripts/tsne-reference.py digits OUT.safetensors      # saves sklearn's digits set (1,797 x 64) as `x`
    python3 scripts/tsne-reference.py run IN.safetensors PERPLEXITY MAP.safetensors

`run` maps IN's `x` with sklearn.manifold.TSNE (Barnes-Hut, init pca, learning rate auto, the
same perplexity, 1,000 iterations), saves the map as MAP's `embedding` and prints one JSON line:
seconds, the KL divergence and, up to 5,000 points, sklearn's own trustworthiness (k = 10) of it. Needs numpy and scikit-learn (Debian: apt-get install python3-sklearn).
"""
import json
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.manifold import TSNE, trustworthiness

from safetensors_np import read_safetensors, write_safetensors


def main():
    if sys.argv[1] == "digits":
        write_safetensors(sys.argv[2], {"x": load_digits().data.astype(np.float32)})
        return
    tensors, _ = read_safetensors(sys.argv[2])
    x = tensors["x"].astype(np.float32)
    started = time.perf_counter()
    tsne = TSNE(n_components=2, perplexity=float(sys.argv[3]), init="pca", learning_rate="auto",
                method="barnes_hut", random_state=0)
    embedding = tsne.fit_transform(x)
    seconds = time.perf_counter() - started
    write_safetensors(sys.argv[4], {"embedding": embedding.astype(np.float32)})
    result = {"seconds": seconds, "kl_divergence": float(tsne.kl_divergence_)}
    if len(x) <= 5000:
        result["trustworthiness"] = float(trustworthiness(x, embedding, n_neighbors=10))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
