"""A small digit classifier, trained once per study, that judges what each decoder draws."""

import keras
import numpy as np
from keras import layers

from vaestudy.model import IMAGE_PIXELS


def build_classifier(seed, hidden=512, dropout=0.2):
    """784 -> hidden (relu) -> hidden (relu) -> 10 (softmax), with dropout; compiled."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(IMAGE_PIXELS,)),
            layers.Dense(hidden, activation="relu"),
            layers.Dropout(dropout, seed=seed),
            layers.Dense(hidden, activation="relu"),
            layers.Dropout(dropout, seed=seed + 1),
            layers.Dense(10, activation="softmax"),
        ],
        name="digit_classifier",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=True,
    )
    return model


def train_classifier(x_train, y_train, epochs, seed, batch_size=128):
    """Fit on the training images (one line per epoch on stdout); returns the model."""
    model = build_classifier(seed)
    model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=2)
    return model


def accuracy(model, x, y):
    """Fraction of images whose most probable class is the label."""
    return float(np.mean(np.argmax(predict(model, x), axis=1) == y))


def predict(model, images):
    """Class probabilities for rows of 784 pixels, in one batched call."""
    return np.asarray(model.predict_on_batch(np.asarray(images, dtype="float32")))
