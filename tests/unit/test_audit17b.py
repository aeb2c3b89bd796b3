"""audit17b: the app left open all day. Each test proves one finding and is marked xfail(strict=True) until it is
fixed: memory a signed-in session keeps growing with what it has seen, never given back while the app stays open."""
