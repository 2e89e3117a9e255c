import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules", "test-results"] },
  {
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    files: ["**/*.{ts,tsx}"],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.node } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "warn",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Only src/ipc talks to Tauri, so the UI runs in a browser against a mocked backend.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@tauri-apps/*"], message: "Only ui/src/ipc/ may import Tauri; use the wrappers there." },
            { group: ["**/ipc/bindings", "./bindings"], message: "Only ui/src/ipc/ may import the generated bindings." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/ipc/**/*.{ts,tsx}", "tests/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": "off" },
  },
);
