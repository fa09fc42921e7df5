#!/usr/bin/env python3
"""Regenerates the demo store and models.toml (deterministic: same bytes, same sha256s every run)."""
import hashlib, json, os, random

os.chdir(os.path.dirname(os.path.abspath(__file__)))
rng = random.Random(2026)
def blob(n): return bytes(rng.getrandbits(8) for _ in range(n))
def js(obj): return (json.dumps(obj, indent=2) + "\n").encode()

shared_vae = blob(768 * 1024)
shared_te = blob(1024 * 1024)
tok = {"tokenizer.json": js({"model": "demo-bpe", "vocab_size": 512, "merges": [f"a{i} b{i}" for i in range(40)]}),
       "special_tokens_map.json": js({"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}),
       "spiece.model": blob(96 * 1024)}
models = {
    "demo-t2v@1.0.0": dict(
        desc="Demo text-to-video model (two variants; shares its VAE and text encoder with demo-i2v)",
        variants=["fp16", "bf16"], default="fp16",
        files=[("model_index.json", js({"_class_name": "DemoT2VPipeline", "vae": "vae", "text_encoder": "text_encoder"}), {}),
               ("vae/diffusion_pytorch_model.safetensors", shared_vae, {"component": "vae"}),
               ("text_encoder/model.safetensors", shared_te, {"component": "text_encoder"}),
               ("transformer/diffusion_pytorch_model.fp16.safetensors", blob(1024 * 1024), {"component": "transformer", "variant": "fp16"}),
               ("transformer/diffusion_pytorch_model.bf16.safetensors", blob(1024 * 1024), {"component": "transformer", "variant": "bf16"})]),
    "demo-i2v@1.0.0": dict(
        desc="Demo image-to-video model (optional image-encoder component)",
        variants=[], default=None, optional=["image_encoder"],
        files=[("model_index.json", js({"_class_name": "DemoI2VPipeline", "vae": "vae", "text_encoder": "text_encoder"}), {}),
               ("vae/diffusion_pytorch_model.safetensors", shared_vae, {"component": "vae"}),
               ("text_encoder/model.safetensors", shared_te, {"component": "text_encoder"}),
               ("transformer/diffusion_pytorch_model.safetensors", blob(1024 * 1024), {"component": "transformer"}),
               ("image_encoder/model.safetensors", blob(256 * 1024), {"component": "image_encoder"})]),
    "demo-tokenizer@1.0.0": dict(
        desc="Demo tokenizer (small files only)", variants=[], default=None,
        files=[(k, v, {"component": "tokenizer"}) for k, v in tok.items()]),
}
out = ["# The bundled demo manifest: three small models with real sha256s, served from ./store",
       "# (local:// sources resolve against WAN_LOCAL_ROOT, which defaults to this demo's store when",
       "# this manifest is the default one). Regenerate with examples/demo/generate.py.",
       "schema_version = 1", ""]
for mid, m in models.items():
    out.append(f'[models."{mid}"]')
    out.append(f'description = "{m["desc"]}"')
    out.append(f'version = "{mid.split("@")[1]}"')
    out.append("variants = [" + ", ".join(f'"{v}"' for v in m["variants"]) + "]")
    if m["default"]:
        out.append(f'default_variant = "{m["default"]}"')
    if m.get("optional"):
        out.append("optional_components = [" + ", ".join(f'"{v}"' for v in m["optional"]) + "]")
    out.append("")
    for path, data, extra in m["files"]:
        d = os.path.join("store", mid, path)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        with open(d, "wb") as f:
            f.write(data)
        out.append(f'[[models."{mid}".files]]')
        out.append(f'path = "{path}"')
        out.append(f"size = {len(data)}")
        out.append(f'sha256 = "{hashlib.sha256(data).hexdigest()}"')
        for k, v in extra.items():
            out.append(f'{k} = "{v}"')
        out.append("")
    out.append(f'[models."{mid}".sources]')
    out.append(f'priority = ["local://{mid}"]')
    out.append("")
with open("models.toml", "w") as f:
    f.write("\n".join(out))
