"""The transformers side of the GPU checks (issue 20), run by bench/gpu_caption.sh on the GPU machine.

  gpu_reference.py bf16 FIXTURES OUT_DIR        transformers' bfloat16 logits of each tiny fixture
  gpu_reference.py make-gemma3-4b DIR TOKENIZER   a random-weight Gemma-3-4B-it-shaped checkpoint (bf16)
  gpu_reference.py time DIR PROMPT_TOKENS NEW     prefill ms and decode tokens/s of generate()

Timing matches bench/gpu_caption_bench.cpp: batch 1, greedy, no early stop, median of 5 after a
warm-up; decode tokens/s = (n - 1) / (t(n) - t(1)).
"""
import json
import os
import shutil
import statistics
import sys
import time

import torch
from safetensors.torch import load_file, save_file
import transformers


def relative_error(a, b):
    a, b = a.double().cpu(), b.double().cpu()
    return float((a - b).abs().max() / b.abs().max())


def fixture_inputs(folder, device):
    meta = json.load(open(os.path.join(folder, "case.json")))
    tensors = load_file(os.path.join(folder, "case.safetensors"))
    inputs = {"input_ids": torch.tensor([meta["input_ids"]], device=device),
              "pixel_values": tensors["pixel_values"].unsqueeze(0).to(device)}
    if "token_type_ids" in meta:
        inputs["token_type_ids"] = torch.tensor([meta["token_type_ids"]], device=device)
    return inputs, tensors["logits"]


def bf16_reference(fixtures, out_dir):
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    os.makedirs(out_dir, exist_ok=True)
    for name in ("gemma3-tiny", "llava-tiny"):
        folder = os.path.join(fixtures, name)
        inputs, cpu_logits = fixture_inputs(folder, "cuda")
        model = transformers.AutoModelForImageTextToText.from_pretrained(
            folder, dtype=torch.float32, attn_implementation="eager").cuda().eval()
        with torch.no_grad():
            f32 = model(**inputs).logits[0].float()
            model = model.to(torch.bfloat16)
            bf16_inputs = dict(inputs, pixel_values=inputs["pixel_values"].to(torch.bfloat16))
            bf16 = model(**bf16_inputs).logits[0].float()
        drift = relative_error(bf16, cpu_logits)
        save_file({"logits": bf16.cpu().contiguous()}, os.path.join(out_dir, name + ".safetensors"),
                  metadata={"transformers_bf16_vs_float32": repr(drift), "transformers": transformers.__version__})
        print(json.dumps({"fixture": name, "transformers_cuda_f32_vs_reference": relative_error(f32, cpu_logits),
                          "transformers_bf16_vs_float32": drift}), flush=True)


def make_gemma3_4b(folder, tokenizer):
    # google/gemma-3-4b-it's shapes (../shared/reference/hf-models.md section 1); rope scaling
    # left at the default, which changes no timing.
    text = transformers.Gemma3TextConfig(hidden_size=2560, intermediate_size=10240, num_hidden_layers=34,
                                         sliding_window=1024)
    vision = transformers.SiglipVisionConfig(hidden_size=1152, image_size=896, intermediate_size=4304,
                                             num_attention_heads=16, num_hidden_layers=27, patch_size=14,
                                             vision_use_head=False)
    config = transformers.Gemma3Config(text_config=text.to_dict(), vision_config=vision.to_dict(), mm_tokens_per_image=256,
                                       boi_token_index=255999, eoi_token_index=256000, image_token_index=262144)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = transformers.Gemma3ForConditionalGeneration(config).to(torch.bfloat16)
    model.save_pretrained(folder)
    shutil.copy(tokenizer, os.path.join(folder, "tokenizer.json"))
    print(json.dumps({"made": folder, "parameters": sum(p.numel() for p in model.parameters())}), flush=True)


def median_ms(fn, runs=5):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def time_generate(folder, prompt_tokens, new_tokens):
    config = transformers.AutoConfig.from_pretrained(folder)
    image_tokens = config.mm_tokens_per_image
    text_tokens = prompt_tokens - image_tokens - 2
    ids = [2, 105] + [1000] * (text_tokens // 2 - 2) + [255999] + [262144] * image_tokens + [256000]
    ids += [1000] * (prompt_tokens - len(ids))
    input_ids = torch.tensor([ids], device="cuda")
    inputs = {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids),
              "token_type_ids": (input_ids == 262144).long(),
              "pixel_values": torch.randn(1, 3, 896, 896, device="cuda", dtype=torch.bfloat16)}
    for attention in ("eager", "sdpa"):
        model = transformers.Gemma3ForConditionalGeneration.from_pretrained(
            folder, dtype=torch.bfloat16, attn_implementation=attention).cuda().eval()
        weight_bytes = sum(p.numel() * p.element_size() for p in model.model.language_model.parameters())

        def generate(n):
            with torch.no_grad():
                model.generate(**inputs, max_new_tokens=n, min_new_tokens=n, do_sample=False)

        with torch.no_grad():
            prefill = median_ms(lambda: model(**inputs))
        one, all_ = median_ms(lambda: generate(1)), median_ms(lambda: generate(new_tokens))
        print(json.dumps({"impl": "transformers " + attention, "condition": "plain", "prompt_tokens": prompt_tokens,
                          "new_tokens": new_tokens, "prefill_ms": prefill, "generate_ms": all_,
                          "decode_tokens_per_s": (new_tokens - 1) / ((all_ - one) / 1000),
                          "decoder_weight_bytes": weight_bytes}), flush=True)
        del model
        torch.cuda.empty_cache()


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "bf16":
        bf16_reference(sys.argv[2], sys.argv[3])
    elif command == "make-gemma3-4b":
        make_gemma3_4b(sys.argv[2], sys.argv[3])
    elif command == "time":
        time_generate(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit("unknown command " + command)
