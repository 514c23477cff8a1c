/* Card payment on the order page (templates/payments/_card_form.html).
 *
 * 1. POST setup -> a SetupIntent's client secret; stripe.confirmCardSetup()
 *    with the Card Element turns the typed card into a payment method.
 * 2. POST pay -> the server charges it; when the bank asks for 3-D Secure
 *    the answer says requires_action and stripe.confirmCardPayment() shows it.
 * 3. Poll the status endpoint until the server knows the outcome (it asks
 *    Stripe, as the webhook does), then reload the order page.
 *
 * Every text comes translated from data- attributes; errors from the server
 * come with their own message. No inline script or style: CSP.
 */
(function () {
  "use strict";

  var POLL_INTERVAL_MS = 1000;
  var POLL_LIMIT = 90;

  var root = document.getElementById("card-payment");
  if (!root) {
    return;
  }
  var button = document.getElementById("card-pay-button");
  var output = document.getElementById("card-message");

  function text(name) {
    return root.getAttribute("data-msg-" + name) || "";
  }

  function say(message, kind) {
    output.textContent = message || "";
    output.classList.remove("text-danger", "text-success", "text-muted");
    output.classList.add(kind === "error" ? "text-danger" : kind === "ok" ? "text-success" : "text-muted");
    output.setAttribute("data-kind", kind || "info");
  }

  if (typeof window.Stripe !== "function") {
    say(text("no-stripe"), "error");
    return;
  }

  var stripe = window.Stripe(root.getAttribute("data-publishable-key"));
  var elements = stripe.elements();
  var cardElement = elements.create("card");
  cardElement.mount("#card-element");
  button.disabled = false;

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": root.getAttribute("data-csrf-token"),
      },
      body: JSON.stringify(body || {}),
    }).then(readJson);
  }

  function get(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(readJson);
  }

  function readJson(response) {
    return response
      .json()
      .catch(function () {
        return {};
      })
      .then(function (body) {
        if (!response.ok) {
          var error = new Error(body.error || text("unreachable"));
          error.fromServer = true;
          throw error;
        }
        return body;
      });
  }

  function statusUrl(paymentId) {
    return root.getAttribute("data-status-url").replace(/\/0$/, "/" + paymentId);
  }

  function finish(message, kind) {
    say(message, kind);
    button.disabled = false;
  }

  function poll(paymentId, round) {
    return get(statusUrl(paymentId)).then(function (status) {
      if (status.final) {
        if (status.payment_state === "succeeded") {
          say(status.message, "ok");
          window.location.assign(root.getAttribute("data-order-url"));
          return;
        }
        finish(status.message, "error");
        return;
      }
      say(status.message || text("processing"), "info");
      if (round >= POLL_LIMIT) {
        finish(text("still-processing"), "info");
        return;
      }
      return new Promise(function (resolve) {
        window.setTimeout(resolve, POLL_INTERVAL_MS);
      }).then(function () {
        return poll(paymentId, round + 1);
      });
    });
  }

  function handlePayment(result) {
    if (result.status === "requires_action" && result.client_secret) {
      say(text("confirming"), "info");
      return stripe.confirmCardPayment(result.client_secret).then(function (outcome) {
        if (outcome && outcome.error) {
          // The server records the failure when it asks Stripe; show its words then.
          say(outcome.error.message || "", "error");
        }
        return poll(result.payment_id, 0);
      });
    }
    if (result.status === "failed") {
      finish(result.message, "error");
      return;
    }
    return poll(result.payment_id, 0);
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    say(text("working"), "info");
    post(root.getAttribute("data-setup-url"))
      .then(function (setup) {
        return stripe
          .confirmCardSetup(setup.client_secret, { payment_method: { card: cardElement } })
          .then(function (result) {
            if (result.error) {
              var error = new Error(result.error.message || text("unreachable"));
              error.fromServer = true;
              throw error;
            }
            say(text("processing"), "info");
            return post(root.getAttribute("data-pay-url"), {
              setup_intent_id: result.setupIntent.id,
            });
          });
      })
      .then(handlePayment)
      .catch(function (error) {
        finish(error && error.fromServer ? error.message : text("unreachable"), "error");
      });
  });
})();
