"""get_wan_paths(model_id): the directory of a model's files, for Python pipelines (stdlib only).

Asks a running `wan serve` first (cheap: no hashing); when the model is not COMPLETE there, or
no service answers, runs `wan ensure MODEL --quiet` ($WAN_CMD, else `wan` on PATH), which waits
for, fetches and verifies it, and returns the path it prints. A failing ensure raises
subprocess.CalledProcessError (its message is on stderr).
"""
import json, os, shlex, subprocess, urllib.parse, urllib.request


def get_wan_paths(model_id, base="http://127.0.0.1:8000", timeout=5):
    url = base.rstrip("/") + "/health/models/" + urllib.parse.quote(model_id, safe="@")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # 200 only when COMPLETE
            model = json.load(answer)
        if model.get("state") == "COMPLETE":
            return model["directory"]
    except (OSError, ValueError):  # 503/404 (HTTPError), no service, or not JSON: ensure decides
        pass
    cmd = shlex.split(os.environ.get("WAN_CMD", "wan")) + ["ensure", model_id, "--quiet"]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return out.strip().splitlines()[-1]
