// Ravand's shared page behaviour. Bootstrap's JavaScript drives dropdowns, collapses and alerts.
import "bootstrap/dist/js/bootstrap.bundle.js";
import "./actions.js";
