# Appends a reading to /data/readings.csv and remembers a counter in
# /state.json: both are board-owned files that belay keeps.
import json
import os

try:
    os.mkdir("/data")
except OSError:
    pass

try:
    with open("/state.json") as f:
        state = json.load(f)
except OSError:
    state = {"count": 0}

state["count"] += 1
with open("/data/readings.csv", "a") as f:
    f.write("{},{}\n".format(state["count"], 42))
with open("/state.json", "w") as f:
    json.dump(state, f)
