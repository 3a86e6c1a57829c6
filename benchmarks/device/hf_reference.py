#!/usr/bin/env python3
"""Random-weight PaliGemma 2 3B-224 reference and baseline timings with Hugging Face transformers, on the GPU.

No download is possible on the GPU machine, so the checkpoint is made here: the real shape of
google/paligemma2-3b-pt-224 (written out below), bf16, re-initialised with a fixed generator so the logits are well
separated (final norm gain about 8, as in the tiny-pg2 fixture). The folder it writes holds a checkpoint in the
layout `palicuda compare` and `PaliCuda.Benchmarks device-report --reference` read: model.safetensors, config.json,
generation_config.json, reference.json and reference.safetensors (pixel_values, input_ids, logits, generated_ids).

Then it times, on the same card: transformers eager and sdpa (time to first token and decode ms/token, batch 1),
and static cache + torch.compile when that finishes within its time limit. Every step has its own time limit and
its failure is recorded in the results JSON; the script never stops the whole run over one step.

Usage: python3 hf_reference.py --out DIR --results FILE.json [--budget-seconds 300]
"""
import argparse
import json
import math
import signal
import sys
import time
import traceback

TEXT_CONFIG = dict(
    model_type="gemma2", hidden_size=2304, intermediate_size=9216, num_hidden_layers=26, num_attention_heads=8,
    num_key_value_heads=4, head_dim=256, query_pre_attn_scalar=256, sliding_window=4096, attn_logit_softcapping=50.0,
    final_logit_softcapping=30.0, vocab_size=257216, hidden_activation="gelu_pytorch_tanh", rms_norm_eps=1e-6,
    rope_theta=10000.0, max_position_embeddings=8192, num_image_tokens=256,
)
VISION_CONFIG = dict(
    model_type="siglip_vision_model", hidden_size=1152, intermediate_size=4304, num_hidden_layers=27,
    num_attention_heads=16, image_size=224, patch_size=14, projection_dim=2304, vision_use_head=False,
)
IMAGE_TOKEN = 257152
BOS, EOS, PAD, NEWLINE = 2, 1, 0, 108
NUM_IMAGE_TOKENS = 256
NEW_TOKENS = 32
SEED = 20250101


class StepTimeout(Exception):
    pass


def run_step(results, name, seconds, fn):
    """Runs fn under a SIGALRM time limit; records ok/error/timeout and the duration; returns fn's value or None."""
    def on_alarm(signum, frame):
        raise StepTimeout(f"step '{name}' exceeded {seconds} s")
    start = time.time()
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(max(1, int(seconds)))
    entry = {"step": name, "limit_s": seconds}
    try:
        value = fn()
        entry["status"] = "ok"
        return value
    except StepTimeout as e:
        entry["status"] = "timeout"
        entry["error"] = str(e)
    except Exception as e:  # noqa: BLE001 - every failure is recorded, the run goes on
        entry["status"] = "error"
        entry["error"] = f"{type(e).__name__}: {e}"
        entry["traceback"] = traceback.format_exc(limit=6)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        entry["seconds"] = round(time.time() - start, 2)
        results["steps"].append(entry)
        print(f"[hf] {name}: {entry.get('status')} in {entry['seconds']} s {entry.get('error', '')}", flush=True)
    return None


def build_model(attn):
    import torch
    from transformers import PaliGemmaConfig, PaliGemmaForConditionalGeneration
    cfg = PaliGemmaConfig(vision_config=dict(VISION_CONFIG), text_config=dict(TEXT_CONFIG), projection_dim=2304,
                          hidden_size=2048, vocab_size=257216, bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
    for attr in ("image_token_index", "image_token_id"):
        setattr(cfg, attr, IMAGE_TOKEN)
    torch.set_default_dtype(torch.bfloat16)
    try:
        with torch.device("cuda"):
            model = None
            # transformers renamed torch_dtype to dtype (v4.56+) and may drop the old name: try both, then neither
            # (the default dtype set above already makes the parameters bf16).
            for dtype_kwarg in ({"dtype": torch.bfloat16}, {"torch_dtype": torch.bfloat16}, {}):
                try:
                    model = PaliGemmaForConditionalGeneration._from_config(cfg, attn_implementation=attn, **dtype_kwarg)
                    break
                except TypeError:
                    if not dtype_kwarg:
                        raise
    finally:
        torch.set_default_dtype(torch.float32)
    return model.to(torch.bfloat16).eval()


def reinitialise(model):
    """Every parameter drawn again from one seeded generator, in named_parameters() order (reproducible)."""
    import torch
    gen = torch.Generator(device="cuda").manual_seed(SEED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("lm_head.weight"):
                continue
            if p.dim() >= 2:
                fan_in = p[0].numel()
                std = 0.02 if "embed_tokens" in name else 1.0 / math.sqrt(fan_in)
                p.copy_(torch.randn(p.shape, generator=gen, device="cuda", dtype=torch.float32) * std)
            elif "norm" in name and "vision" in name and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=gen, device="cuda"))
            elif name.endswith("language_model.norm.weight") or name.endswith("model.norm.weight"):
                p.copy_(7 + 0.8 * torch.randn(p.shape, generator=gen, device="cuda"))  # Gemma gain 1 + w ~ 8
            elif "norm" in name:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen, device="cuda"))
            else:
                p.copy_(0.05 * torch.randn(p.shape, generator=gen, device="cuda"))
    if hasattr(model, "tie_weights"):
        model.tie_weights()


def make_inputs():
    import torch
    gen = torch.Generator().manual_seed(SEED + 1000)
    pixels = torch.randn((1, 3, 224, 224), generator=gen, dtype=torch.float32)
    text = torch.randint(3, 256000, (6,), generator=gen).tolist()
    ids = [IMAGE_TOKEN] * NUM_IMAGE_TOKENS + [BOS] + text + [NEWLINE]
    return pixels, ids


def save_checkpoint(model, out):
    import os
    from safetensors.torch import save_file
    os.makedirs(out, exist_ok=True)
    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items() if not k.endswith("lm_head.weight")}
    save_file(state, f"{out}/model.safetensors", metadata={"format": "pt"})
    config = {
        "architectures": ["PaliGemmaForConditionalGeneration"], "model_type": "paligemma", "bos_token_id": BOS,
        "eos_token_id": EOS, "pad_token_id": PAD, "hidden_size": 2048, "image_token_index": IMAGE_TOKEN,
        "projection_dim": 2304, "torch_dtype": "bfloat16",
        "text_config": dict(TEXT_CONFIG, cache_implementation="hybrid", torch_dtype="bfloat16"),
        "vision_config": dict(VISION_CONFIG, torch_dtype="bfloat16"),
    }
    with open(f"{out}/config.json", "w") as f:
        json.dump(config, f, indent=2)
    with open(f"{out}/generation_config.json", "w") as f:
        json.dump({"bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD}, f, indent=2)
    return {"tensors": len(state)}


def reference(model, pixels, ids, out, results):
    import torch
    from safetensors.torch import save_file
    input_ids = torch.tensor([ids], device="cuda")
    mask = torch.ones_like(input_ids)
    pv = pixels.to("cuda", torch.bfloat16)
    with torch.no_grad():
        logits = model(input_ids=input_ids, pixel_values=pv, attention_mask=mask).logits.float()
        gen = model.generate(input_ids=input_ids, pixel_values=pv, attention_mask=mask, max_new_tokens=NEW_TOKENS,
                             do_sample=False, output_scores=True, return_dict_in_generate=True)
    new = gen.sequences[0, len(ids):].tolist()
    gaps = [float((s[0].topk(2).values[0] - s[0].topk(2).values[1]).item()) for s in gen.scores]
    save_file({
        "pixel_values": pixels.contiguous(),
        "input_ids": torch.tensor([ids], dtype=torch.int64),
        "logits": logits.cpu().contiguous(),
        "generated_ids": torch.tensor([new], dtype=torch.int64),
    }, f"{out}/reference.safetensors")
    import transformers
    doc = {
        "fixture": "hf-random-paligemma2-3b-224",
        "description": "Random-weight PaliGemma 2 3B-224, bf16, transformers eager on the GPU (benchmarks/device/hf_reference.py).",
        "generator": {"package": "transformers", "version": transformers.__version__, "torch_version": torch.__version__,
                      "attn_implementation": "eager", "dtype": "bfloat16", "device": torch.cuda.get_device_name()},
        "tensors": {
            "pixel_values": {"shape": [1, 3, 224, 224], "dtype": "float32"},
            "input_ids": {"shape": [1, len(ids)], "dtype": "int64"},
            "logits": {"shape": list(logits.shape), "dtype": "float32"},
            "generated_ids": {"shape": [1, len(new)], "dtype": "int64"},
        },
        "cases": [{"name": "p0", "tensor_prefix": "", "input_ids": ids, "generated_ids": new,
                   "greedy_step_top2_gaps": gaps, "min_top2_gap": min(gaps) if gaps else None}],
    }
    with open(f"{out}/reference.json", "w") as f:
        json.dump(doc, f, indent=1)
    results["reference"] = {"generated_ids": new, "min_top2_gap": doc["cases"][0]["min_top2_gap"], "prompt_tokens": len(ids)}


def time_generation(model, pixels, ids, label, results, cache_implementation=None, repeats=3):
    """TTFT = generate(1 token); decode ms/token = (generate(1 + N) − generate(1)) / N; medians of `repeats`."""
    import statistics
    import torch
    input_ids = torch.tensor([ids], device="cuda")
    mask = torch.ones_like(input_ids)
    pv = pixels.to("cuda", torch.bfloat16)
    extra = {"cache_implementation": cache_implementation} if cache_implementation else {}

    def once(n):
        torch.cuda.synchronize()
        t = time.perf_counter()
        with torch.no_grad():
            model.generate(input_ids=input_ids, pixel_values=pv, attention_mask=mask, max_new_tokens=n,
                           min_new_tokens=n, do_sample=False, **extra)
        torch.cuda.synchronize()
        return (time.perf_counter() - t) * 1e3

    once(1), once(NEW_TOKENS + 1)  # warm-up (and compilation, where compiled)
    first = statistics.median(once(1) for _ in range(repeats))
    full = statistics.median(once(NEW_TOKENS + 1) for _ in range(repeats))
    results["timings"][label] = {"ttft_ms": round(first, 3), "decode_ms_per_token": round((full - first) / NEW_TOKENS, 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--budget-seconds", type=float, default=300)
    args = ap.parse_args()
    deadline = time.time() + args.budget_seconds
    left = lambda: max(1, deadline - time.time())  # noqa: E731
    results = {"steps": [], "timings": {}}

    def finish():
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1)

    try:
        env = run_step(results, "import", 60, lambda: __import__("torch").cuda.get_device_name())
        results["device"] = env
        model = run_step(results, "build eager model", min(120, left()), lambda: build_model("eager"))
        pixels, ids = make_inputs()
        if model is not None:
            run_step(results, "reinitialise", min(60, left()), lambda: reinitialise(model))
            run_step(results, "reference (eager)", min(90, left()), lambda: reference(model, pixels, ids, args.out, results))
            run_step(results, "save checkpoint", min(90, left()), lambda: results.setdefault("checkpoint", save_checkpoint(model, args.out)))
            run_step(results, "time eager", min(60, left()), lambda: time_generation(model, pixels, ids, "transformers eager", results))
            for setter in ("set_attn_implementation",):
                if hasattr(model, setter):
                    run_step(results, "switch to sdpa", 10, lambda: getattr(model, setter)("sdpa"))
                    break
            else:
                model.config._attn_implementation = "sdpa"
            run_step(results, "time sdpa", min(60, left()), lambda: time_generation(model, pixels, ids, "transformers sdpa", results))
            if left() > 120:
                import torch

                def compiled():
                    model.forward = torch.compile(model.forward, mode="reduce-overhead", fullgraph=False)
                    time_generation(model, pixels, ids, "transformers sdpa + static cache + torch.compile", results, "static", repeats=2)
                run_step(results, "time static cache + compile", min(180, left() - 10), compiled)
            else:
                results["steps"].append({"step": "time static cache + compile", "status": "skipped", "error": "not enough time left"})
    finally:
        finish()
    return 0


if __name__ == "__main__":
    sys.exit(main())
