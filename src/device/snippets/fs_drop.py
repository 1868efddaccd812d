# Abandons an upload: closes it if still open and removes TMP (fs_encoded).
_bwdrop(TMP)
