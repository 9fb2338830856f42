import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `scripts/screenshots`: the README's pictures of the main pages, not a test run.
export default defineConfig({ ...base, testDir: './screenshots' });
