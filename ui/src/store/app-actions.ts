// The app's actions bound to its one document store.
import { createActions } from "./actions";
import { designStore } from "./design-store";

export const appActions = createActions(designStore);
