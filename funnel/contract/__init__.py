"""The canonical definitions contract (`funnel.yml`): load, validate, compile."""

from funnel.contract.load import LoadedContract, load_contract
from funnel.contract.problems import ContractError, Problem

__all__ = ["ContractError", "LoadedContract", "Problem", "load_contract"]
