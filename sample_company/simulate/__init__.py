"""The simulated company: persons, their journeys, deals, contact records and Salesforce's objects.

Everything here is arrays of instants and ids drawn from seeded streams; nothing is written to
disk (exports/ does that) and no canonical number is computed (truth/ does that).
"""
