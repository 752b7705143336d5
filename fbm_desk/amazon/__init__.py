"""Amazon Selling Partner API client. No Qt, no database."""
