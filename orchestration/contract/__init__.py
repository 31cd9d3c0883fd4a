"""The canonical definitions contract (`funnel.yml`): load, validate, compile."""

from orchestration.contract.load import LoadedContract, load_contract
from orchestration.contract.problems import ContractError, Problem

__all__ = ["ContractError", "LoadedContract", "Problem", "load_contract"]
