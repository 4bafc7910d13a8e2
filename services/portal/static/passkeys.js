// Passkeys (WebAuthn) for the portal's forms marked data-passkey="create" or "get": ask the
// portal for the catalog's ceremony options (data-options, JSON), run navigator.credentials,
// put the answer in the form's hidden fields and submit it as an ordinary form. A file of its
// own because the CSP allows no inline script. Options and answers are JSON with binary
// values in base64url (WebAuthn Level 3's JSON forms), converted here by hand so that browsers
// without PublicKeyCredential.parseCreationOptionsFromJSON work too.
(function () {
  "use strict";

  function bytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  function base64url(buffer) {
    var view = new Uint8Array(buffer), binary = "";
    for (var i = 0; i < view.length; i++) binary += String.fromCharCode(view[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      return Object.assign({}, d, { id: bytes(d.id) });
    });
  }

  function publicKey(kind, options) {
    var key = Object.assign({}, options, { challenge: bytes(options.challenge) });
    if (kind === "create") {
      key.user = Object.assign({}, options.user, { id: bytes(options.user.id) });
      key.excludeCredentials = descriptors(options.excludeCredentials);
    } else {
      key.allowCredentials = descriptors(options.allowCredentials);
    }
    return key;
  }

  function answer(credential) {
    var r = credential.response;
    var response = { clientDataJSON: base64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = base64url(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = base64url(r.authenticatorData);
      response.signature = base64url(r.signature);
      if (r.userHandle) response.userHandle = base64url(r.userHandle);
    }
    var json = {
      id: credential.id,
      rawId: base64url(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
    if (credential.authenticatorAttachment) {
      json.authenticatorAttachment = credential.authenticatorAttachment;
    }
    return JSON.stringify(json);
  }

  function say(form, message) {
    var error = form.querySelector("[data-passkey-error]");
    error.textContent = message;
    error.hidden = false;
  }

  function run(form) {
    var kind = form.getAttribute("data-passkey");
    var button = form.querySelector("[data-passkey-start]");
    button.disabled = true;
    fetch(form.getAttribute("data-options"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": form.elements.csrf_token.value, Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || form.getAttribute("data-refused"));
          return body;
        });
      })
      .then(function (ceremony) {
        form.elements.ceremony_id.value = ceremony.ceremony_id;
        var request = { publicKey: publicKey(kind, ceremony.options) };
        return navigator.credentials[kind](request);
      })
      .then(function (credential) {
        form.elements.credential.value = answer(credential);
        form.submit();
      })
      .catch(function (error) {
        button.disabled = false;
        // NotAllowedError: the person cancelled, or the authenticator timed out.
        var known = error && error.name === "Error" && error.message;
        say(form, known || form.getAttribute("data-refused"));
      });
  }

  if (!window.PublicKeyCredential || !navigator.credentials) return;
  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.hidden = false;
    form.elements.credential.value = ""; // a page shown again after a refusal: start afresh
    form.addEventListener("submit", function (event) {
      event.preventDefault(); // form.submit() in run() sends the answer without coming here
      run(form);
    });
  });
})();
