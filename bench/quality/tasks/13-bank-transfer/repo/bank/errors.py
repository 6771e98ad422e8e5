"""Errors raised by the ledger."""


class BankError(Exception):
    """Base class for ledger errors; the message is shown to the teller."""


class UnknownAccountError(BankError):
    def __init__(self, account_id: str):
        super().__init__(f"unknown account: {account_id}")
        self.account_id = account_id


class AccountClosedError(BankError):
    def __init__(self, account_id: str):
        super().__init__(f"account is closed: {account_id}")
        self.account_id = account_id
