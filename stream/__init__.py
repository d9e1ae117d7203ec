"""meetwire: a streaming extractor of meeting events from news wires."""

__version__ = "0.1.0"
