"""The benchmark's baseline: the classic Keras MLP VAE trained the way the published study's
script trains it, one coefficient after the other, with a plain `model.fit` per epoch.

    .venv/bin/python bench/plain_fit.py MNIST_NPZ OUTDIR [--epochs 40] [--coefs 1,2]

Writes OUTDIR/results.json: per coefficient its training seconds and final training losses.
The model is the Keras example's (sigmoid output, Keras' binary cross-entropy x 784, Adam 1e-3,
batch 128); every coefficient starts from the same initial weights, as in the study.
"""

import argparse
import json
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops


class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        return z_mean + ops.exp(0.5 * z_log_var) * keras.random.normal(ops.shape(z_mean))


def build_parts(pixels=784, hidden=512, latent=2):
    x = keras.Input(shape=(pixels,))
    h = layers.Dense(hidden, activation="relu")(x)
    z_mean, z_log_var = layers.Dense(latent)(h), layers.Dense(latent)(h)
    encoder = keras.Model(x, [z_mean, z_log_var, Sampling()([z_mean, z_log_var])])
    z = keras.Input(shape=(latent,))
    decoder = keras.Model(
        z, layers.Dense(pixels, activation="sigmoid")(layers.Dense(hidden, activation="relu")(z))
    )
    return encoder, decoder


class PlainVAE(keras.Model):
    """reconstruction + c * KL, with its own train_step, trained by fit."""

    def __init__(self, encoder, decoder, coefficient, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder, self.coefficient = encoder, decoder, coefficient
        self.trackers = [keras.metrics.Mean(name=n) for n in ("loss", "reconstruction", "kl")]

    @property
    def metrics(self):
        return self.trackers

    def train_step(self, x):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(x)
            reconstruction = 784 * ops.mean(keras.losses.binary_crossentropy(x, self.decoder(z)))
            kl = ops.mean(
                -0.5 * ops.sum(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)
            )
            loss = reconstruction + self.coefficient * kl
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights, strict=True))
        for tracker, value in zip(self.trackers, (loss, reconstruction, kl), strict=True):
            tracker.update_state(value)
        return {t.name: t.result() for t in self.trackers}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mnist")
    parser.add_argument("out")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--coefs", default="1,2")
    args = parser.parse_args()
    with np.load(args.mnist) as data:
        x = data["x_train"].reshape(-1, 784).astype("float32") / 255.0
    keras.utils.set_random_seed(0)
    encoder, decoder = build_parts()
    initial = encoder.get_weights(), decoder.get_weights()
    rows = []
    for coefficient in (float(c) for c in args.coefs.split(",")):
        encoder.set_weights(initial[0])
        decoder.set_weights(initial[1])
        vae = PlainVAE(encoder, decoder, coefficient)
        vae.compile(optimizer=keras.optimizers.Adam(1e-3))
        start = time.perf_counter()
        for _ in range(args.epochs):
            history = vae.fit(x, epochs=1, batch_size=128, shuffle=True, verbose=0)
        seconds = time.perf_counter() - start
        last = {k: float(v[-1]) for k, v in history.history.items()}
        rows.append({"coefficient": coefficient, "train_s": seconds, **last})
        print(json.dumps(rows[-1]), flush=True)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "results.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
