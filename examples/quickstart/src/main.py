# Runs at every boot, after boot.py.
from lib.blink import blink

blink(times=3)
print("hello from belay")
