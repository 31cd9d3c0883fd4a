"""The known answer: canonical people, stage entries, money and divergences, computed from the
simulation by funnel.yml's rules restated as constants (contract.py), never by reading it."""
