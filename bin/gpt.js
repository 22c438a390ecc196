#!/usr/bin/env node
import '../dist/gpt.js';
