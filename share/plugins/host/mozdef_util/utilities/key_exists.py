def key_exists(search_key, inputed_dict):
    """True when the dotted path search_key ('details.sourceipaddress')
    leads to a key of inputed_dict."""
    parts = search_key.split('.')
    cur = inputed_dict
    for i, part in enumerate(parts):
        if not isinstance(cur, dict):
            return False
        if i == len(parts) - 1:
            return part in cur
        if part not in cur:
            return False
        cur = cur[part]
    return False
