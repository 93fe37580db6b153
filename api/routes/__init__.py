"""One router per resource; `api.app` combines them."""
