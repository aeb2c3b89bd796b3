"""audit16a: a hostile review of the app for the people who really use it (older citizens, poor eyesight, large
system fonts, TalkBack, one thumb). Each test proves one finding and fails today; it is marked xfail(strict) so the
branch stays green, and a fix turns it into a plain test (drop the mark)."""
