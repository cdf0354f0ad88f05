"""Helpers the tests share: fakes, the scripted model server, browser and AppTest set-up, sample data."""
