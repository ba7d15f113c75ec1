PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2
