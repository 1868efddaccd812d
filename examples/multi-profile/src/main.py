# Reads the per-profile /config.json that belay deployed with this code.
import json

with open("/config.json") as f:
    config = json.load(f)

print("running in", config["env"], "every", config["interval_s"], "s")
