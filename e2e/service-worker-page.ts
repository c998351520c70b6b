// The page of e2e/service-worker.spec.ts: the harness plus axios (an XMLHttpRequest client).
import axios from 'axios';
import './harness.js';

(window as unknown as { axios: typeof axios }).axios = axios;
