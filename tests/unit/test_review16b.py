"""review16b: a hostile review of session 16's backend code. Each test here proves one finding and is marked
`xfail(strict=True)` until it is fixed (then the mark goes and the test guards the fix)."""
