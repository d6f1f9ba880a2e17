"""The directory of services: who helps, where, when, and what happens with what you say.

Shaped after Open Referral HSDS 3.0 (organization, service, phones, schedules, languages,
service areas). Read from ``content/directory/`` by :func:`bot.directory.loader.load_directory`;
no I/O anywhere else except :mod:`bot.directory.hsds` writing an export and the commands.
"""
