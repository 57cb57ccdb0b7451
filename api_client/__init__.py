"""The authorized-user API: wire models, contract, dose rules, validators and (in `mock`)
a registry server that implements the same contract. Imports neither Textual nor vaxterm."""
