# A host-side test: excluded from the board by `exclude` in belay.yaml.
def test_nothing():
    assert True
