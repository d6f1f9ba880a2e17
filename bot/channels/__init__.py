"""Channels: the ways people reach Lotsen, each behind one protocol the server loops over.

- ``channel``: the ``Channel`` protocol (configure from the environment, mount, start, stop)
  and the ``Services`` the server lends a channel; ``registry``: the list of channel types.
- ``delivery``: the platform-neutral delivery of a messaging platform's replies (owed replies,
  outbox, ledger and settling, pacing, retries, error classes, apologies); ``outbox`` and
  ``pacing`` are its parts. ``transport``: what a platform gives it: a small ``Transport``
  protocol (its calls, and what its errors mean), a ``Shape`` of its messages and
  ``Arrival``, what its update reader makes of an update.
- ``web*``: the web chat. ``telegram*``: Telegram: ``telegram`` (settings and routes, no
  library), ``telegram_bot`` (a running bot), ``telegram_updates`` (the update reader),
  ``telegram_render`` (the renderer), ``telegram_transport`` and ``telegram_request`` (its
  calls). Only ``telegram_bot``, ``telegram_transport`` and ``telegram_request`` import
  ``telegram``, and nothing imports them until Telegram starts.
"""
