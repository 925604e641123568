def removeAt(astring):
    """astring without its '@' characters."""
    return astring.replace('@', '')
