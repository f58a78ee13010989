// The console's entry: styles (uPlot's own first, so ours can adjust them) and the app.
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { render } from "preact";
import { App } from "./app.js";

render(<App />, document.getElementById("app")!);
