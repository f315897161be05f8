// Boots Swagger UI on /api/docs against our own OpenAPI file (no CDN, no external requests).
window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger', deepLinking: true, tryItOutEnabled: false })
