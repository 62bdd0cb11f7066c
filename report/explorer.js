// The latent explorer: each embedded decoder (vaestudy.explorer: float16 output weights) draws
// the digit at the point of the latent plane under the pointer, all at the same z. Arrow keys
// move the point (Shift: faster). No network, no library.
(() => {
  "use strict";
  const buffer = (text) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0)).buffer;

  // IEEE half precision to float, for every 16-bit pattern once.
  const HALF = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    HALF[bits] =
      exponent === 0
        ? sign * fraction * 2 ** -24
        : exponent === 31
          ? (fraction ? NaN : sign * Infinity)
          : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }

  function unpack(d) {
    return {
      hidden: d.hidden,
      pixels: d.pixels,
      w1: new Float32Array(buffer(d.w1)),
      b1: new Float32Array(buffer(d.b1)),
      w2: Float32Array.from(new Uint16Array(buffer(d.w2)), (bits) => HALF[bits]),
      b2: new Float32Array(buffer(d.b2)),
    };
  }

  // What vaestudy.explorer.decode computes: sigmoid(relu(z W1 + b1) W2 + b2).
  function decode(m, u, v) {
    const acc = Float64Array.from(m.b2);
    for (let j = 0; j < m.hidden; j++) {
      const h = Math.max(0, u * m.w1[j] + v * m.w1[m.hidden + j] + m.b1[j]);
      if (h === 0) continue;
      const row = j * m.pixels;
      for (let p = 0; p < m.pixels; p++) acc[p] += h * m.w2[row + p];
    }
    return acc.map((logit) => 1 / (1 + Math.exp(-logit)));
  }

  function paint(canvas, pixels) {
    const context = canvas.getContext("2d");
    const image = context.createImageData(canvas.width, canvas.height);
    pixels.forEach((value, p) => {
      const grey = Math.round(255 * value);
      image.data.set([grey, grey, grey, 255], 4 * p);
    });
    context.putImageData(image, 0, 0);
  }

  // The plane over [-limit, limit]^2: axes, N(0, I)'s 1 and 2 sigma circles, the point.
  function drawPlane(pad, limit, z) {
    const context = pad.getContext("2d");
    const n = pad.width;
    const scale = n / (2 * limit);
    const x = (u) => (u + limit) * scale;
    const y = (v) => (limit - v) * scale;
    context.fillStyle = "#fafafa";
    context.fillRect(0, 0, n, n);
    context.strokeStyle = "#bbb";
    context.lineWidth = 1;
    context.beginPath();
    context.moveTo(x(-limit), y(0));
    context.lineTo(x(limit), y(0));
    context.moveTo(x(0), y(-limit));
    context.lineTo(x(0), y(limit));
    context.stroke();
    context.setLineDash([4, 3]);
    for (const r of [1, 2]) {
      context.beginPath();
      context.arc(x(0), y(0), r * scale, 0, 2 * Math.PI);
      context.stroke();
    }
    context.setLineDash([]);
    context.strokeStyle = "#c00";
    context.lineWidth = 2;
    context.beginPath();
    context.arc(x(z[0]), y(z[1]), 6, 0, 2 * Math.PI);
    context.stroke();
  }

  function start(element) {
    const data = JSON.parse(document.getElementById(element.dataset.source).textContent);
    const models = data.models.map((m) => (m.decoder ? unpack(m.decoder) : null));
    const digits = element.querySelectorAll("canvas.digit");
    const pad = element.querySelector("canvas.plane");
    const readout = element.querySelector(".z");
    const clamp = (t) => Math.min(data.limit, Math.max(-data.limit, t));
    let z = [0, 0];
    let pending = false;

    function show() {
      pending = false;
      drawPlane(pad, data.limit, z);
      models.forEach((m, i) => m && paint(digits[i], decode(m, z[0], z[1])));
      readout.textContent =
        `${data.axes[0]} = ${z[0].toFixed(2)}, ${data.axes[1]} = ${z[1].toFixed(2)}`;
    }
    function moveTo(u, v) {
      z = [clamp(u), clamp(v)];
      if (!pending) {
        pending = true;
        requestAnimationFrame(show);
      }
    }
    pad.addEventListener("pointermove", (event) => {
      const box = pad.getBoundingClientRect();
      const u = ((event.clientX - box.left) / box.width) * 2 * data.limit - data.limit;
      const v = data.limit - ((event.clientY - box.top) / box.height) * 2 * data.limit;
      moveTo(u, v);
    });
    pad.addEventListener("keydown", (event) => {
      const step = event.shiftKey ? 0.5 : 0.1;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      const move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      moveTo(z[0] + move[0], z[1] + move[1]);
    });
    show();
    // for tests and the console: decode(i, u, v) gives model i's 784 pixels, moveTo(u, v)
    (window.vaeExplorers = window.vaeExplorers || []).push({
      coefficients: data.models.map((m) => m.coefficient),
      decode: (i, u, v) => Array.from(decode(models[i], u, v)),
      moveTo: (u, v) => {
        z = [clamp(u), clamp(v)];
        show();
      },
    });
  }

  document.querySelectorAll(".explorer").forEach(start);
})();
