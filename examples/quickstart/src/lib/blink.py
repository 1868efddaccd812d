# Blinks the on-board LED if the board has one; prints otherwise.
import time

try:
    from machine import Pin

    _led = Pin("LED", Pin.OUT)
except Exception:
    _led = None


def blink(times=1, period_ms=200):
    for _ in range(times):
        if _led is None:
            print("blink")
        else:
            _led.toggle()
            time.sleep_ms(period_ms)
            _led.toggle()
        time.sleep_ms(period_ms)
