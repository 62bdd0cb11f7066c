"""A small digit classifier, trained once per study, that reads what each decoder draws.

It outputs logits; `Classifier` turns them into probabilities with the temperature fitted on
held-out training digits, and `assess` measures its accuracy, calibration and bias.
"""

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from vaestudy import calibration
from vaestudy.estimators import class_histogram
from vaestudy.model import IMAGE_PIXELS

HELD_OUT = 0.1  # share of the training images kept out of training, to fit the temperature
BLUR_SIGMA = 2.0  # pixels: the bias check reads blurred test digits


def classifier_network(seed, hidden=512, dropout=0.2):
    """784 -> hidden (relu) -> hidden (relu) -> 10 logits, with dropout; not compiled: what
    reads images, and what its weights file holds (no optimizer state)."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input(shape=(IMAGE_PIXELS,)),
            layers.Dense(hidden, activation="relu"),
            layers.Dropout(dropout, seed=seed),
            layers.Dense(hidden, activation="relu"),
            layers.Dropout(dropout, seed=seed + 1),
            layers.Dense(10),
        ],
        name="digit_classifier",
    )


def build_classifier(seed, hidden=512, dropout=0.2):
    """The network compiled for training. No XLA: every job enables TensorFlow's op
    determinism (training.configure_tensorflow), under which Keras runs without it anyway."""
    model = classifier_network(seed, hidden, dropout)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        # 32 batches per call instead of one: the same steps (weights bit-identical, checked
        # over 2 epochs on all of MNIST), less Python between them
        steps_per_execution=32,
    )
    return model


FEATURE_LAYER = 2  # the second hidden layer's 512 relu units: the classifier's feature space


@dataclass
class Classifier:
    """The classifier and its fitted temperature."""

    model: keras.Model
    temperature: float = 1.0

    def logits(self, images):
        """Logits for rows of 784 pixels, in one batched call."""
        return np.asarray(self.model.predict_on_batch(np.asarray(images, dtype="float32")))

    def probabilities(self, images):
        """Calibrated class probabilities: softmax(logits / temperature)."""
        return calibration.softmax(self.logits(images), self.temperature)

    def read(self, images):
        """(calibrated class probabilities, features) of rows of 784 pixels, in one pass: the
        features are the last hidden layer's units, where KID and density and coverage
        compare image sets (vaestudy.distances)."""
        if not hasattr(self, "_reader"):
            outputs = [self.model.layers[FEATURE_LAYER].output, self.model.outputs[0]]
            self._reader = keras.Model(self.model.inputs, outputs)
        features, logits = self._reader.predict_on_batch(np.asarray(images, dtype="float32"))
        return calibration.softmax(np.asarray(logits), self.temperature), np.asarray(features)


def split_held_out(x, y, share=HELD_OUT):
    """(training part, held-out part) of the training images: the last `share` held out."""
    cut = len(x) - max(1, int(round(share * len(x))))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def train_classifier(x_train, y_train, epochs, seed, batch_size=128):
    """Fit on the training images less a held-out part (one line per epoch on stdout), then
    fit the temperature on the held-out part."""
    (x_fit, y_fit), (x_cal, y_cal) = split_held_out(x_train, y_train)
    model = build_classifier(seed)
    model.fit(x_fit, y_fit, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=2)
    network = classifier_network(seed)  # the trained weights without the optimizer's state
    network.set_weights(model.get_weights())
    classifier = Classifier(network)
    classifier.temperature = calibration.fit_temperature(classifier.logits(x_cal), y_cal)
    return classifier, len(x_fit), len(x_cal)


def assess(classifier, x_test, y_test):
    """Accuracy, calibration (ECE before and after temperature scaling) and the reading of
    blurred test digits, whose class histogram shows the classifier's bias on blurry images."""
    logits = classifier.logits(x_test)
    raw, calibrated = (
        calibration.softmax(logits),
        calibration.softmax(logits, classifier.temperature),
    )
    blurred = classifier.probabilities(calibration.gaussian_blur(x_test, BLUR_SIGMA))
    return {
        "test_accuracy": float(np.mean(np.argmax(logits, axis=1) == y_test)),
        "temperature": classifier.temperature,
        "ece_raw": calibration.expected_calibration_error(raw, y_test),
        "ece_calibrated": calibration.expected_calibration_error(calibrated, y_test),
        "test_confidence": float(np.mean(np.max(calibrated, axis=1))),
        "blur_sigma": BLUR_SIGMA,
        "blurred_accuracy": float(np.mean(np.argmax(blurred, axis=1) == y_test)),
        "blurred_confidence": float(np.mean(np.max(blurred, axis=1))),
        "label_shares": (np.bincount(y_test, minlength=10) / len(y_test)).tolist(),
        "test_shares": class_histogram(calibrated).tolist(),
        "blurred_shares": class_histogram(blurred).tolist(),
    }


def load_classifier(weights, temperature):
    """The study's trained classifier from its weights file and fitted temperature."""
    model = classifier_network(seed=0)
    model.load_weights(weights)
    return Classifier(model, temperature)
