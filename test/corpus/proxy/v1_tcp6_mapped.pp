PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2
