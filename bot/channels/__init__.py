"""Channels: one module per platform, turning its input into Events and Replies into output.

``web`` is the web chat; ``telegram`` is Telegram. Only ``bot.channels.telegram`` and its
transport ``bot.channels.telegram_request`` import ``telegram``; the other Telegram helpers
(``telegram_render``, ``pacing``, ``outbox``) are plain Python that tests drive without a bot.
"""
