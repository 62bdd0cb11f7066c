"""A reproducible study of how the KL coefficient shapes a variational autoencoder."""
