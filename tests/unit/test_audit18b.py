"""audit18b: the web surface as a browser (and whatever sits between it and the servers) sees it.

Each test here is a finding, marked xfail(strict=True) until it is fixed: it fails today, for the reason it names.
"""
