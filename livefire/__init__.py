"""livefire: game days for live-streaming platforms.

Locust users play viewers, creators, chatters and gifters while chaos modules break the
platform; the verdict engine turns what those users experienced into pass/fail against the
platform's documented promises.
"""

__version__ = "0.1.0"
