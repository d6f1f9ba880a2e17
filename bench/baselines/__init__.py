"""The two bots Lotsen is measured against, each as a developer would write it."""
