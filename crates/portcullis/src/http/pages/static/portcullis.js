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
document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
  var button = form.querySelector("button[type=submit]");
  var status = document.getElementById("webauthn-status");
  var say = function (text) {
    if (status) {
      status.textContent = text;
      status.hidden = false;
    }
  };
  if (!window.PublicKeyCredential) {
    say("This browser cannot use security keys or passkeys. Try another method.");
    if (button) {
      button.disabled = true;
    }
    return;
  }
  form.addEventListener("submit", function (event) {
    if (form.elements.credential.value) {
      return;
    }
    event.preventDefault();
    var options = JSON.parse(form.getAttribute("data-webauthn-options"));
    var pk = options.publicKey;
    pk.challenge = b64uToBuf(pk.challenge);
    var ask;
    if (form.getAttribute("data-webauthn") === "create") {
      pk.user.id = b64uToBuf(pk.user.id);
      (pk.excludeCredentials || []).forEach(function (c) {
        c.id = b64uToBuf(c.id);
      });
      ask = navigator.credentials.create({ publicKey: pk });
    } else {
      (pk.allowCredentials || []).forEach(function (c) {
        c.id = b64uToBuf(c.id);
      });
      ask = navigator.credentials.get({ publicKey: pk });
    }
    ask.then(function (c) {
      form.elements.credential.value = credentialJson(c);
      form.submit();
    }, function (e) {
      // The browser's reason, for whoever debugs it (never shown as text).
      form.setAttribute("data-webauthn-error", String(e && e.name) + ": " + String(e && e.message));
      say("The security key or passkey did not answer. Try again, or try another method.");
    });
  });
});
