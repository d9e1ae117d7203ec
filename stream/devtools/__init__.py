"""Development tools, not part of what the worker runs: the benchmark (``meetwire bench``) and
the local Kafka launcher (``meetwire kafka``). The worker never imports this package
(``tests/test_devtools.py`` checks it); the CLI imports it only for those two commands."""
