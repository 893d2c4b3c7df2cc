// Portcullis hosted pages: the one script, served from our own origin
// (CSP script-src 'self'). Every page but WebAuthn's works without it: it
// adds the "Show password" toggle (hidden when scripts do not run) and runs
// the WebAuthn ceremonies (W3C Web Authentication §5.1.3, §5.1.4).
"use strict";
document.querySelectorAll("button.reveal").forEach(function (button) {
  var input = document.getElementById(button.getAttribute("aria-controls"));
  if (!input) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var show = input.type === "password";
    input.type = show ? "text" : "password";
    button.setAttribute("aria-pressed", show ? "true" : "false");
    input.focus();
  });
});

// WebAuthn: the server's options (base64url in JSON, as webauthn-rs writes
// them) become the browser's ArrayBuffers, and its answer goes back the
// same way in the form's `credential` field.
function b64uToBuf(s) {
  s = s.replace(/-/g, "+").replace(/_/g, "/");
  while (s.length % 4) {
    s += "=";
  }
  var bin = atob(s);
  var out = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out.buffer;
}
function bufToB64u(buf) {
  var bytes = new Uint8Array(buf);
  var bin = "";
  for (var i = 0; i < bytes.length; i++) {
    bin += String.fromCharCode(bytes[i]);
  }
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function credentialJson(c) {
  var r = c.response;
  var response = { clientDataJSON: bufToB64u(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = bufToB64u(r.attestationObject);
  }
  if (r.authenticatorData) {
    response.authenticatorData = bufToB64u(r.authenticatorData);
    response.signature = bufToB64u(r.signature);
    response.userHandle = r.userHandle ? bufToB64u(r.userHandle) : null;
  }
  return JSON.stringify({
    id: c.id,
    rawId: bufToB64u(c.rawId),
    type: c.type,
    response: response,
    extensions: c.getClientExtensionResults ? c.getClientExtensionResults() : {}
  });
}
// The options for one request (fresh buffers each time).
function publicKeyOf(form) {
  var pk = JSON.parse(form.getAttribute("data-webauthn-options")).publicKey;
  pk.challenge = b64uToBuf(pk.challenge);
  if (pk.user) {
    pk.user.id = b64uToBuf(pk.user.id);
  }
  (pk.excludeCredentials || []).concat(pk.allowCredentials || []).forEach(function (c) {
    c.id = b64uToBuf(c.id);
  });
  return pk;
}
// What needs WebAuthn stays hidden in browsers without it.
if (window.PublicKeyCredential) {
  document.querySelectorAll(".passkey").forEach(function (e) {
    e.hidden = false;
  });
}
document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
  var button = form.querySelector("button[type=submit]");
  var status = document.getElementById("webauthn-status");
  var conditional = form.getAttribute("data-webauthn-mediation") === "conditional";
  var say = function (text) {
    if (status) {
      status.textContent = text;
      status.hidden = false;
    }
  };
  if (!window.PublicKeyCredential) {
    if (conditional) {
      return; // The login page's passkey box stays hidden.
    }
    // The page's words, in its language.
    say(form.getAttribute("data-webauthn-unsupported"));
    if (button) {
      button.disabled = true;
    }
    return;
  }
  var pending = null;
  var answered = function (c) {
    form.elements.credential.value = credentialJson(c);
    form.submit();
  };
  var ask = function (mediation) {
    var pk = publicKeyOf(form);
    if (form.getAttribute("data-webauthn") === "create") {
      return navigator.credentials.create({ publicKey: pk });
    }
    var request = { publicKey: pk };
    if (mediation) {
      pending = new AbortController();
      request.mediation = mediation;
      request.signal = pending.signal;
    }
    return navigator.credentials.get(request);
  };
  // W3C Web Authentication §5.1.4.1 (conditional mediation): the browser
  // offers its passkeys in the username field's autofill.
  if (conditional && PublicKeyCredential.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (available) {
        ask("conditional").then(answered, function () {});
      }
    });
  }
  form.addEventListener("submit", function (event) {
    if (form.elements.credential.value) {
      return;
    }
    event.preventDefault();
    if (pending) {
      pending.abort();
      pending = null;
    }
    ask(null).then(answered, function (e) {
      // The browser's reason, for whoever debugs it (never shown as text).
      form.setAttribute("data-webauthn-error", String(e && e.name) + ": " + String(e && e.message));
      say(form.getAttribute("data-webauthn-failed"));
    });
  });
});
