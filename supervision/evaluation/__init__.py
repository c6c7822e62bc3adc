"""Performance evaluation (考核评价): units' figures and annual ratings, officers' yearly assessment."""
