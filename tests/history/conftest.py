from tests.store.conftest import store_url

__all__ = ["store_url"]
