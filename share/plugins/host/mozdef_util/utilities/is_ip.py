import ipaddress


def is_ip(ip):
    """True when ip is an IPv4 or IPv6 address or network."""
    try:
        ipaddress.ip_network(str(ip), strict=False)
        return True
    except ValueError:
        return False
